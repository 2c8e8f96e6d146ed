-- Percentages are 0-100 and a percentage's numerator never exceeds its denominator. Except social worker
-- turnover (leavers in 12 months / in post at the end), which exceeds 100 when more FTE left a small team in the
-- year than it has now: it is only checked for being non-negative.
select indicator_values.*

from {{ ref('indicator_values') }} as indicator_values
inner join {{ ref('indicators') }} as indicators
    on indicator_values.indicator_id = indicators.indicator_id
where indicators.unit = 'percent'
    and (
        indicator_values.value < 0
        or (
            indicator_values.indicator_id <> 'wf_turnover_rate_pct'
            and (indicator_values.value > 100 or indicator_values.numerator > indicator_values.denominator)
        )
    )
