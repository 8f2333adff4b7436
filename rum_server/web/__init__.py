"""Pages and files served to people: the dashboard, the demo storefront, the snippet builds."""
