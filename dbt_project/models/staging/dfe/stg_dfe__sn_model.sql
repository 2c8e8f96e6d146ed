-- DfE statistical neighbour model (2025): each LA's ten nearest neighbours, wide, with closeness labels.
with

source as (

    select * from {{ read_dfe_csv('sn_model_2025_wide.csv') }}

),

renamed as (

    select
        trim(old_la_code) as la_code,
        trim(la_name) as la_name,
        try_cast(region_ind as integer) as region_number,
        trim(region_name) as region_name,
    {%- for rank in range(1, 11) %}
        nullif(trim("SN_{{ rank }}"), '') as sn_{{ rank }}_la_code,
        nullif(trim("SN_{{ rank }}P"), '') as sn_{{ rank }}_closeness{{ "," if not loop.last }}
    {%- endfor %}

    from source

)

select * from renamed
