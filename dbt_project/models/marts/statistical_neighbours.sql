-- Each LA's ten statistical neighbours (DfE SN model 2025).
with

neighbours as (

    select * from {{ ref('int_statistical_neighbours_unpivoted') }}

),

final as (

    select
        la_code,
        la_name,
        region_name,
        cast(sn_rank as integer) as sn_rank,
        sn_la_code,
        sn_la_name,
        closeness

    from neighbours

)

select * from final
