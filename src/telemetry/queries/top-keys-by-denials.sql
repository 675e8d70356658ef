-- API keys with the most denials, last 24 hours
-- Keys appear as their HMAC (blob7), as in logs: block one with
-- POST /_guard/blocks {"key": "<hash>", "ttl": "1d", "reason": "..."}.
SELECT
  blob7 AS key,
  SUM(IF(blob2 IN ('block', 'throttle'), _sample_interval, 0)) AS denials,
  SUM(_sample_interval) AS requests,
  COUNT(DISTINCT blob5) AS countries,
  MAX(timestamp) AS last_seen
FROM distill_guard
WHERE timestamp > NOW() - INTERVAL '1' DAY
  AND blob7 != ''
GROUP BY key
HAVING denials > 0
ORDER BY denials DESC
LIMIT 25
