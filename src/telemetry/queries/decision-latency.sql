-- Decision latency by route, last hour
-- Milliseconds from arrival to the decision (double3), sample-weighted quantiles.
SELECT
  blob1 AS route,
  SUM(_sample_interval) AS requests,
  quantileExactWeighted(0.5)(double3, _sample_interval) AS decision_p50_ms,
  quantileExactWeighted(0.99)(double3, _sample_interval) AS decision_p99_ms,
  MAX(double3) AS decision_max_ms
FROM distill_guard
WHERE timestamp > NOW() - INTERVAL '1' HOUR
GROUP BY route
ORDER BY requests DESC
