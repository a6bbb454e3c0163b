"""The kernel: identity, roles and principals, the region tree and point locator, the working-day
calendar and data scopes. Every domain builds on it; it never imports a domain."""
