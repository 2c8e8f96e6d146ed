-- Each LA's ten statistical neighbours (DfE SN model 2025), one row per LA and rank, with names looked up.
with

sn_model as (

    select * from {{ ref('stg_dfe__sn_model') }}

),

unpivoted as (

    {%- for rank in range(1, 11) %}
        select
            la_code,
            la_name,
            region_name,
            {{ rank }} as sn_rank,
            sn_{{ rank }}_la_code as sn_la_code,
            sn_{{ rank }}_closeness as closeness
        from sn_model
        {{ "union all" if not loop.last }}
    {%- endfor %}

),

named as (

    select
        unpivoted.la_code,
        unpivoted.la_name,
        unpivoted.region_name,
        unpivoted.sn_rank,
        unpivoted.sn_la_code,
        neighbour.la_name as sn_la_name,
        unpivoted.closeness

    from unpivoted
    left join sn_model as neighbour
        on unpivoted.sn_la_code = neighbour.la_code
    where unpivoted.sn_la_code is not null

)

select * from named
