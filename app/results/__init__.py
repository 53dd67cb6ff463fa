"""Results (成绩): aggregation, ranking, awards, publicity, appeals."""
