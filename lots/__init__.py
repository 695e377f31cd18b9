"""Tax-lot primitives: lots, lot relief, holding-period terms, the wash-sale ledger, gains.

This package never imports ``household``. Everything here is pure: functions take
immutable records (and an ``as_of`` or sale date where "today" matters) and return
new records.
"""
