-- Children's Social Work Workforce census LA-level vacancies as loaded: one row per census (as at 30 September of
-- collection_year).
with

source as (

    select * from {{ source('raw', 'csww_vacancies') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as census_year,
        make_date(cast(collection_year as integer), 9, 30) as reference_date,
        cast(vacancies_fte as double) as vacancies_fte,
        cast(agency_cover_fte as double) as agency_cover_fte,
        cast(agency_cover_headcount as integer) as agency_cover_headcount

    from source

)

select * from renamed
