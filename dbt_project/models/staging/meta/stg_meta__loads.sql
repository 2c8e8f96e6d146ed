with

source as (

    select * from {{ source('meta', 'loads') }}

),

renamed as (

    select
        load_id,
        lower(dataset) as dataset,
        lower(table_name) as table_name,
        file_name,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(synthetic as boolean) as is_synthetic,
        cast(rows_read as integer) as rows_read,
        cast(rows_loaded as integer) as rows_loaded,
        cast(rows_rejected as integer) as rows_rejected,
        lower(status) as status,
        superseded_by,
        cast(started_at as timestamp) as started_at,
        cast(finished_at as timestamp) as finished_at

    from source

)

select * from renamed
