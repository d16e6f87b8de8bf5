"""Settings of the scrapy-govclean example project."""

BOT_NAME = "govclean_example"
SPIDER_MODULES = ["govclean_example.spiders"]
NEWSPIDER_MODULE = "govclean_example.spiders"

# The one line that turns scrapy-govclean on in any project:
ADDONS = {"scrapy_govclean.Addon": 0}

# Serve the bundled pages under their original URLs (offline unless -a start_urls=... is given).
DOWNLOADER_MIDDLEWARES = {"govclean_example.replay.ReplayDownloaderMiddleware": 50}

# A per-run, in-memory duplicate index keeps the demo repeatable: with the default
# (sqlite:///.govclean/index.sqlite3, persistent across crawls) a second run would find every
# document already seen and drop it. Remove this line in a real project to remember
# documents across crawls, or use redis://host:port/db to share the index between crawlers.
GOVCLEAN_INDEX = "memory://"

# Every item the plugin drops (duplicate copies, filtered items) is appended here with its
# reason and the URL of the copy it duplicates (this is the default, spelled out).
GOVCLEAN_REJECTS_URI = ".govclean/rejects.jsonl"

ROBOTSTXT_OBEY = True
FEED_EXPORT_ENCODING = "utf-8"
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
