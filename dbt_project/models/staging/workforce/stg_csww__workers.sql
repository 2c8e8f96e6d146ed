-- Children's Social Work Workforce census workers as loaded: one row per worker per census (as at 30 September of
-- collection_year, the census Year). Kept for reference and reconciliation; the workforce indicators come from
-- the monthly HR extract.
with

source as (

    select * from {{ source('raw', 'csww_workers') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as census_year,
        make_date(cast(collection_year as integer), 9, 30) as reference_date,
        cast(worker_id as varchar) as worker_id,
        cast(agency_worker as boolean) as is_agency,
        cast(fte as double) as fte,
        nullif(trim(cast(org_role as varchar)), '') as org_role,
        cast(role_start_date as date) as role_start_date,
        cast(role_end_date as date) as role_end_date,
        nullif(trim(cast(reason_leave as varchar)), '') as reason_leave,
        cast(fte30 as double) as leaver_fte,
        cast(cases30 as integer) as cases_held,
        cast(working_days_lost as double) as working_days_lost

    from source

)

select * from renamed
