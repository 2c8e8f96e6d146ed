-- One row per period of care (short breaks excluded). care_period_end is null while the period is open.
with

episodes as (

    select * from {{ ref('int_episodes_sequenced') }}

),

care_periods as (

    select
        la_code,
        child_id,
        care_period_id,
        care_period_number,
        care_period_start,
        care_period_end,
        care_period_end is null as is_open,
        rne as first_rne,
        rne = 'S' as starts_with_rne_s,
        ls as legal_status_at_start,
        care_period_last_rec as reason_ceased,
        care_period_reason_ceased_group as reason_ceased_group

    from episodes
    where is_new_care_period

),

episode_counts as (

    select
        care_period_id,
        cast(count(*) as integer) as episode_count,
        cast(count(distinct placement_number) as integer) as placement_count

    from episodes
    group by care_period_id

),

counted as (

    select
        care_periods.*,
        episode_counts.episode_count,
        episode_counts.placement_count

    from care_periods
    inner join episode_counts
        on care_periods.care_period_id = episode_counts.care_period_id

)

select * from counted
