"""How each language writes a date and a time on our pages ("3 June 2030, 09:00 CEST").

Django reads these before its own formats (FORMAT_MODULE_PATH); templates ask for
them by name: `|date:"DATE_FORMAT"`, `|date:"DATETIME_FORMAT"`.
"""
