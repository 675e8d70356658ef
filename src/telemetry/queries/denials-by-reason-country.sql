-- Denials by reason and country, per hour, last 24 hours
-- Enforced denials only (double6 = 1): what clients were refused. Shadow-mode
-- would-be denials are in shadow-would-be-denials.sql.
SELECT
  toStartOfInterval(timestamp, INTERVAL '1' HOUR) AS hour,
  blob3 AS reason,
  blob5 AS country,
  SUM(_sample_interval) AS denials
FROM distill_guard
WHERE timestamp > NOW() - INTERVAL '1' DAY
  AND blob2 IN ('block', 'throttle')
  AND double6 = 1
GROUP BY hour, reason, country
ORDER BY hour DESC, denials DESC
LIMIT 200
