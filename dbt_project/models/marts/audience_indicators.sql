-- Who sees which indicator at which grain: one row per audience x indicator x period grain (docs/contracts.md,
-- "Audience packs, commentary and the annual report (issue 6)"). An audience gets an indicator when the
-- catalogue's audiences name it (catalogue) or when it receives (qa_task_audiences) a task listed in the
-- indicator's qa_task_ids (register); pages read their lists from here, so giving an audience an indicator is a
-- seed edit.
-- Grains: a register frequency asks for one grain (weekly, monthly, bi_monthly: month; quarterly,
-- three_times_yearly, twice_yearly: quarter, as there is no half-year grain; annually: year). When the indicator
-- has no such grain, the next coarser one it has is used (a monthly report can quote a quarter, not invent a
-- month); failing that, its coarsest, so an assignment never vanishes for want of a grain. An assignment with no
-- periodic frequency (the catalogue, as_required, per_meeting) gets every grain the indicator has, unless the
-- same audience and indicator already have a grain from a periodic frequency: then the periodic grains are what
-- the audience reads, the non-periodic register rows are dropped and the catalogue, still naming the audience,
-- marks those grains too (assigned_by 'catalogue;register').
-- qa_task_ids and frequencies: the register rows behind the row's grain (tasks sorted by number, frequencies
-- alphabetically); null when only the catalogue assigns it. A domain missing from seeds/indicator_domains.csv is
-- named from its id ('early_help': 'Early help') and ordered after the listed ones (9999), so a new domain needs
-- no code change.
with

catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

task_audiences as (

    select * from {{ ref('qa_task_audiences') }}

),

roles as (

    select * from {{ ref('qa_roles') }}

),

domains as (

    select * from {{ ref('indicator_domains') }}

),

catalogue_grains_split as (

    select
        indicator_id,
        trim(unnest(string_split(grains, ';'))) as period_grain

    from catalogue
    where grains is not null

),

indicator_grains as (

    -- grain_rank orders the grains fine to coarse, for the "next coarser grain" rule
    select distinct
        indicator_id,
        period_grain,
        case period_grain
            when 'month' then 1
            when 'quarter' then 2
            when 'year' then 3
        end as grain_rank

    from catalogue_grains_split
    where period_grain in ('month', 'quarter', 'year')

),

catalogue_audiences_split as (

    select
        indicator_id,
        trim(unnest(string_split(audiences, ';'))) as audience_id

    from catalogue
    where audiences is not null

),

catalogue_audiences as (

    select distinct
        audience_id,
        indicator_id

    from catalogue_audiences_split
    where audience_id <> ''

),

catalogue_tasks_split as (

    select
        indicator_id,
        trim(unnest(string_split(qa_task_ids, ';'))) as task_number

    from catalogue
    where qa_task_ids is not null

),

register_assignments as (

    -- wanted_grain_rank: the grain the frequency asks for; null for as_required and per_meeting
    select distinct
        trim(task_audiences.audience_id) as audience_id,
        catalogue_tasks_split.indicator_id,
        catalogue_tasks_split.task_number,
        task_audiences.frequency,
        case
            when task_audiences.frequency in ('weekly', 'monthly', 'bi_monthly') then 1
            when task_audiences.frequency in ('quarterly', 'three_times_yearly', 'twice_yearly') then 2
            when task_audiences.frequency = 'annually' then 3
        end as wanted_grain_rank

    from catalogue_tasks_split
    inner join task_audiences
        on catalogue_tasks_split.task_number = trim(task_audiences.task_number)
    where catalogue_tasks_split.task_number <> ''

),

periodic_grain_ranks as (

    select
        register_assignments.audience_id,
        register_assignments.indicator_id,
        register_assignments.task_number,
        register_assignments.frequency,
        coalesce(
            min(indicator_grains.grain_rank)
                filter (where indicator_grains.grain_rank >= register_assignments.wanted_grain_rank),
            max(indicator_grains.grain_rank)
        ) as grain_rank

    from register_assignments
    inner join indicator_grains
        on register_assignments.indicator_id = indicator_grains.indicator_id
    where register_assignments.wanted_grain_rank is not null
    group by
        register_assignments.audience_id,
        register_assignments.indicator_id,
        register_assignments.task_number,
        register_assignments.frequency

),

periodic_register_grains as (

    select
        periodic_grain_ranks.audience_id,
        periodic_grain_ranks.indicator_id,
        indicator_grains.period_grain,
        periodic_grain_ranks.task_number,
        periodic_grain_ranks.frequency

    from periodic_grain_ranks
    inner join indicator_grains
        on periodic_grain_ranks.indicator_id = indicator_grains.indicator_id
            and periodic_grain_ranks.grain_rank = indicator_grains.grain_rank

),

periodic_pairs as (

    select distinct
        audience_id,
        indicator_id

    from periodic_register_grains

),

non_periodic_register_grains as (

    -- every grain, but only for an audience and indicator no periodic frequency covers
    select
        register_assignments.audience_id,
        register_assignments.indicator_id,
        indicator_grains.period_grain,
        register_assignments.task_number,
        register_assignments.frequency

    from register_assignments
    inner join indicator_grains
        on register_assignments.indicator_id = indicator_grains.indicator_id
    left join periodic_pairs
        on register_assignments.audience_id = periodic_pairs.audience_id
            and register_assignments.indicator_id = periodic_pairs.indicator_id
    where register_assignments.wanted_grain_rank is null
        and periodic_pairs.audience_id is null

),

register_grains as (

    select * from periodic_register_grains

    union all

    select * from non_periodic_register_grains

),

catalogue_only_grains as (

    -- the catalogue is not periodic: every grain, unless the register already gives the pair a periodic grain
    select
        catalogue_audiences.audience_id,
        catalogue_audiences.indicator_id,
        indicator_grains.period_grain

    from catalogue_audiences
    inner join indicator_grains
        on catalogue_audiences.indicator_id = indicator_grains.indicator_id
    left join periodic_pairs
        on catalogue_audiences.audience_id = periodic_pairs.audience_id
            and catalogue_audiences.indicator_id = periodic_pairs.indicator_id
    where periodic_pairs.audience_id is null

),

assigned_grains as (

    select
        audience_id,
        indicator_id,
        period_grain

    from register_grains

    union

    select
        audience_id,
        indicator_id,
        period_grain

    from catalogue_only_grains

),

register_tasks as (

    select distinct
        audience_id,
        indicator_id,
        period_grain,
        task_number

    from register_grains

),

register_frequencies as (

    select distinct
        audience_id,
        indicator_id,
        period_grain,
        frequency

    from register_grains

),

task_lists as (

    -- by number, so 4.2 comes before 4.18
    select
        audience_id,
        indicator_id,
        period_grain,
        string_agg(
            task_number,
            ';'
            order by
                try_cast(split_part(task_number, '.', 1) as integer),
                try_cast(split_part(task_number, '.', 2) as integer),
                task_number
        ) as qa_task_ids

    from register_tasks
    group by audience_id, indicator_id, period_grain

),

frequency_lists as (

    select
        audience_id,
        indicator_id,
        period_grain,
        string_agg(frequency, ';' order by frequency) as frequencies

    from register_frequencies
    group by audience_id, indicator_id, period_grain

),

final as (

    select
        cast(assigned_grains.audience_id as varchar) as audience_id,
        cast(coalesce(roles.role_name, assigned_grains.audience_id) as varchar) as audience_name,
        cast(assigned_grains.indicator_id as varchar) as indicator_id,
        cast(catalogue.domain as varchar) as domain,
        cast(
            coalesce(
                domains.domain_name,
                upper(left(catalogue.domain, 1)) || replace(substr(catalogue.domain, 2), '_', ' ')
            ) as varchar
        ) as domain_name,
        cast(coalesce(domains.sort_order, 9999) as integer) as domain_order,
        cast(assigned_grains.period_grain as varchar) as period_grain,
        cast(
            case
                when catalogue_audiences.audience_id is not null and task_lists.audience_id is not null
                    then 'catalogue;register'
                when catalogue_audiences.audience_id is not null then 'catalogue'
                else 'register'
            end as varchar
        ) as assigned_by,
        cast(task_lists.qa_task_ids as varchar) as qa_task_ids,
        cast(frequency_lists.frequencies as varchar) as frequencies,
        cast(catalogue.sort_order as integer) as sort_order

    from assigned_grains
    inner join catalogue
        on assigned_grains.indicator_id = catalogue.indicator_id
    left join roles
        on assigned_grains.audience_id = roles.role_id
    left join domains
        on catalogue.domain = domains.domain
    left join catalogue_audiences
        on assigned_grains.audience_id = catalogue_audiences.audience_id
            and assigned_grains.indicator_id = catalogue_audiences.indicator_id
    left join task_lists
        on assigned_grains.audience_id = task_lists.audience_id
            and assigned_grains.indicator_id = task_lists.indicator_id
            and assigned_grains.period_grain = task_lists.period_grain
    left join frequency_lists
        on assigned_grains.audience_id = frequency_lists.audience_id
            and assigned_grains.indicator_id = frequency_lists.indicator_id
            and assigned_grains.period_grain = frequency_lists.period_grain

)

select * from final
