-- Monthly HR extract as loaded: one row per worker in post on any day of the month, per monthly file. month is
-- any day of the file's month as written: month_start and month_end are its first and last days. Team names
-- tidied (team_key for matching, as Annex A's). Social workers are every role but UNQ; employees are permanent
-- and fixed-term staff, agency workers the rest.
with

source as (

    select * from {{ source('raw', 'hr_workers') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(date_trunc('month', cast(month as date)) as date) as month_start,
        cast(last_day(cast(month as date)) as date) as month_end,
        cast(worker_id as varchar) as worker_id,
        {{ team_display_name('team_name') }} as team_name,
        {{ team_key('team_name') }} as team_key,
        upper(nullif(trim(role), '')) as role,
        cast(fte as double) as fte,
        lower(nullif(trim(employment_type), '')) as employment_type,
        cast(start_date as date) as start_date,
        cast(leave_date as date) as leave_date,
        lower(nullif(trim(leave_reason), '')) as leave_reason,
        cast(sickness_days as double) as sickness_days,
        cast(cases_held as integer) as cases_held

    from source

),

flagged as (

    select
        *,
        coalesce(role <> 'UNQ', false) as is_social_worker,
        coalesce(employment_type in ('permanent', 'fixed_term'), false) as is_employee,
        coalesce(employment_type = 'agency', false) as is_agency

    from renamed

)

select * from flagged
