-- Shadow-mode would-be denials by route and reason, last 7 days
-- What enforcing a shadow route would have refused (mode shadow, action block
-- or throttle, not enforced): check this before switching a route to enforce.
SELECT
  blob1 AS route,
  blob3 AS reason,
  SUM(_sample_interval) AS would_be_denials,
  COUNT(DISTINCT blob7) AS keys,
  COUNT(DISTINCT blob5) AS countries
FROM distill_guard
WHERE timestamp > NOW() - INTERVAL '7' DAY
  AND blob8 = 'shadow'
  AND blob2 IN ('block', 'throttle')
  AND double6 = 0
GROUP BY route, reason
ORDER BY would_be_denials DESC
LIMIT 100
