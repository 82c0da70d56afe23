"""Dashboard pages, one module per page, registered in the router."""
