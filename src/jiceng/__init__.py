"""jiceng (基层): a typed core for China's grassroots governance. (placeholder, rebuilt at integration)"""
