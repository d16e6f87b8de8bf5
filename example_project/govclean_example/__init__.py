"""Example Scrapy project for scrapy-govclean: an offline crawl of bundled republished pages."""
