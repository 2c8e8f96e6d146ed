-- Episodes (short breaks excluded) numbered into periods of care, placements and carer spells, per child.
--   period of care: starts at the child's first episode, at RNE S, after a gap between episodes, or after an
--     episode that ended the period (REC other than X1); it ends with its last episode.
--   placement: starts with a new period of care or at RNE S, P, B, T or U (not at L, a legal status change).
--   carer spell: starts with a new period of care or at RNE S, P or B (T and U keep the carer).
-- An episode left open (DEC blank) that is followed by a later episode is taken to end where the next starts.
with

episodes as (

    select * from {{ ref('int_episodes_deduplicated') }}
    where not is_short_break

),

with_episode_end as (

    select
        *,
        coalesce(dec, lead(decom) over child_episodes) as episode_end

    from episodes
    window child_episodes as (partition by la_code, child_id order by decom)

),

flagged as (

    select
        *,
        lag(episode_end) over child_episodes as previous_episode_end,
        lag(rec_ends_care_period) over child_episodes as previous_ended_care_period,
        cast(row_number() over child_episodes as integer) as episode_number

    from with_episode_end
    window child_episodes as (partition by la_code, child_id order by decom)

),

boundaries as (

    select
        *,
        (
            episode_number = 1
            or rne_starts_care_period
            or coalesce(previous_ended_care_period, false)
            or coalesce(previous_episode_end < decom, false)
        ) as is_new_care_period

    from flagged

),

numbered as (

    select
        *,
        cast(sum(case when is_new_care_period then 1 else 0 end) over child_so_far as integer) as care_period_number,
        cast(
            sum(case when is_new_care_period or rne_starts_new_placement then 1 else 0 end) over child_so_far
            as integer
        ) as placement_number,
        cast(
            sum(case when is_new_care_period or rne_changes_carer then 1 else 0 end) over child_so_far
            as integer
        ) as carer_spell_number,
        is_new_care_period or rne_starts_new_placement as is_new_placement,
        is_new_care_period or rne_changes_carer as is_new_carer_spell

    from boundaries
    window child_so_far as (
        partition by la_code, child_id order by decom rows between unbounded preceding and current row
    )

),

spans as (

    select
        *,
        la_code || ':' || child_id || ':' || care_period_number as care_period_id,
        la_code || ':' || child_id || ':' || placement_number as placement_id,
        first_value(decom) over care_period as care_period_start,
        last_value(episode_end) over care_period as care_period_end,
        last_value(rec) over care_period as care_period_last_rec,
        last_value(reason_ceased_group) over care_period as care_period_reason_ceased_group,
        first_value(decom) over placement as placement_start,
        last_value(episode_end) over placement as placement_end,
        first_value(decom) over carer_spell as carer_spell_start

    from numbered
    window
        care_period as (
            partition by la_code, child_id, care_period_number order by decom
            rows between unbounded preceding and unbounded following
        ),
        placement as (
            partition by la_code, child_id, placement_number order by decom
            rows between unbounded preceding and unbounded following
        ),
        carer_spell as (
            partition by la_code, child_id, carer_spell_number order by decom
            rows between unbounded preceding and unbounded following
        )

)

select * from spans
