-- Every period ends on a month's last day. The measures macro (macros/measures.sql) finds stock measures' as-at
-- days by stepping through month ends, so a period ending mid-month would silently get no stock values.
select *

from {{ ref('periods') }}
where period_end != last_day(period_end)
