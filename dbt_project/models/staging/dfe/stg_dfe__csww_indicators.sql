-- DfE Children's social work workforce (csww_indicators_2017_to_2025.csv): child and family social workers in post,
-- starters, leavers, turnover, agency workers, vacancies, caseloads and sickness absence, every LA, region and
-- England. time_period is the census year: the workforce as at 30 September of time_period (reference_date);
-- starters, leavers and days lost are for the year to that date. Suppression markers become null.
with

source as (

    select * from {{ read_dfe_csv('csww_indicators_2017_to_2025.csv') }}

),

renamed as (

    select
        cast(time_period as integer) as time_period,
        make_date(cast(time_period as integer), 9, 30) as reference_date,
        case geographic_level
            when 'National' then 'national'
            when 'Regional' then 'regional'
            when 'Local authority' then 'la'
        end as geographic_level,
        nullif(trim(region_code), '') as region_code,
        nullif(trim(region_name), '') as region_name,
        nullif(trim(old_la_code), '') as la_code,
        nullif(trim(new_la_code), '') as la_code_ons,
        nullif(trim(la_name), '') as la_name,
        {{ dfe_number('inpost_fte') }} as inpost_fte,
        {{ dfe_suppression_reason('inpost_fte') }} as inpost_fte_suppressed,
        {{ dfe_number('starters_fte') }} as starters_fte,
        {{ dfe_number('leavers_fte') }} as leavers_fte,
        {{ dfe_number('turnover_rate_fte') }} as turnover_rate_fte,
        {{ dfe_suppression_reason('turnover_rate_fte') }} as turnover_rate_fte_suppressed,
        {{ dfe_number('agency_fte') }} as agency_fte,
        {{ dfe_number('agency_rate_fte') }} as agency_rate_fte,
        {{ dfe_suppression_reason('agency_rate_fte') }} as agency_rate_fte_suppressed,
        {{ dfe_number('vacancy_fte') }} as vacancy_fte,
        {{ dfe_number('vacancy_rate_fte') }} as vacancy_rate_fte,
        {{ dfe_suppression_reason('vacancy_rate_fte') }} as vacancy_rate_fte_suppressed,
        {{ dfe_number('case_holders_fte') }} as case_holders_fte,
        {{ dfe_number('cases') }} as cases,
        {{ dfe_number('caseload_fte') }} as caseload_fte,
        {{ dfe_suppression_reason('caseload_fte') }} as caseload_fte_suppressed,
        {{ dfe_number('working_days_lost_fte') }} as working_days_lost_fte,
        {{ dfe_number('absence_rate_fte') }} as absence_rate_fte

    from source

)

select * from renamed
