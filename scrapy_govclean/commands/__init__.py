"""Scrapy commands shipped by the plugin (registered through the scrapy.commands entry point)."""
