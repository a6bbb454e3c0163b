"""Data quality (数据治理): rules, the vectorised engine, quarantine and correction tickets."""
