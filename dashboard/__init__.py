"""Duban dashboard: the Streamlit app (router, pages, queries, charts, components)."""
