"""County return flows (回流) and pushes: county nodes, per-region copies of city tables into a
county's database or lake namespace, and a grant's bulk exports and pushes (delivery)."""
