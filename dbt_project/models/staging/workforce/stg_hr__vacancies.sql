-- Monthly HR vacancies as loaded: funded social worker posts not filled by an employee, FTE per team and month
-- (agency cover does not fill a vacancy, as in the CSWW census). Team names tidied as stg_hr__workers.
with

source as (

    select * from {{ source('raw', 'hr_vacancies') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(date_trunc('month', cast(month as date)) as date) as month_start,
        cast(last_day(cast(month as date)) as date) as month_end,
        {{ team_display_name('team_name') }} as team_name,
        {{ team_key('team_name') }} as team_key,
        cast(vacancy_fte as double) as vacancy_fte

    from source

)

select * from renamed
