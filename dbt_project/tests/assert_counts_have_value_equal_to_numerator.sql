-- Counts (and FTE totals) have value = numerator and a null denominator (docs/contracts.md).
select indicator_values.*

from {{ ref('indicator_values') }} as indicator_values
inner join {{ ref('indicators') }} as indicators
    on indicator_values.indicator_id = indicators.indicator_id
where indicators.unit in ('count', 'fte')
    and (
        indicator_values.value is distinct from indicator_values.numerator
        or indicator_values.denominator is not null
    )
