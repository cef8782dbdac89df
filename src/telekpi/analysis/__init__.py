"""What the numbers mean: the funnel and its bottleneck, diagnosis, variant tests,
rankings and the date windows each comparison uses. Built on ``engine`` queries."""
