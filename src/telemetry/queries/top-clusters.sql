-- Clusters over their limit, last 24 hours
-- A request carries `cluster` (blob14) when it belongs to a cluster over its
-- maxAccounts. keys, countries and networks are distinct values among the stored
-- points (approximate when Analytics Engine samples).
SELECT
  blob14 AS cluster,
  SUM(_sample_interval) AS requests,
  SUM(IF(blob2 IN ('block', 'throttle'), _sample_interval, 0)) AS denied,
  COUNT(DISTINCT blob7) AS keys,
  COUNT(DISTINCT blob5) AS countries,
  COUNT(DISTINCT double2) AS networks
FROM distill_guard
WHERE timestamp > NOW() - INTERVAL '1' DAY
  AND blob14 != ''
GROUP BY cluster
ORDER BY requests DESC
LIMIT 25
