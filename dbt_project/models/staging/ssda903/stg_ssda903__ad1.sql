-- Columns follow the ingest contract for this table; staging renames only the common columns and passes
-- the rest through until an indicator needs them.
with

source as (

    select * from {{ source('raw', 'ssda903_ad1') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        * exclude (_load_id, _source_row)

    from source

)

select * from renamed
