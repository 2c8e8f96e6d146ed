-- Percentages are 0-100 and a percentage's numerator never exceeds its denominator.
select indicator_values.*

from {{ ref('indicator_values') }} as indicator_values
inner join {{ ref('indicators') }} as indicators
    on indicator_values.indicator_id = indicators.indicator_id
where indicators.unit = 'percent'
    and (
        indicator_values.value < 0
        or indicator_values.value > 100
        or indicator_values.numerator > indicator_values.denominator
    )
