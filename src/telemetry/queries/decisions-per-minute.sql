-- Decisions per minute by action, last hour
-- Every decision, sample-weighted: SUM(_sample_interval) counts the requests a stored
-- data point stands for. In shadow mode `action` is what would have been done.
SELECT
  toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS minute,
  SUM(IF(blob2 = 'allow', _sample_interval, 0)) AS allow,
  SUM(IF(blob2 = 'flag', _sample_interval, 0)) AS flag,
  SUM(IF(blob2 = 'throttle', _sample_interval, 0)) AS throttle,
  SUM(IF(blob2 = 'block', _sample_interval, 0)) AS block
FROM distill_guard
WHERE timestamp > NOW() - INTERVAL '1' HOUR
GROUP BY minute
ORDER BY minute
