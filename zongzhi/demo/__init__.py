"""The demo county 华宁县 (`manage.py load_demo`): its places, units and people
(`county.py`), cases (`cases.py`, their words in `case_texts.py`), screening, hazards and
care files, all made through the domain apps' services. The invented names, phone numbers
and amounts are in `people.py`, which the benchmark generator uses too. No domain app
imports this one."""
