"""The site: generated Markdown pages, the weekly archive, the MkDocs build, the search hook and local preview."""
