"""Problems: the causes behind incidents, opened by correlation, linked and closed."""
