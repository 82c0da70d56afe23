-- Every name a department goes by (short and full) mapped to its short name; one row per name
with

departments as (
    select * from stg_reference__departments
),

names as (
    select department as name, department from departments
    union all
    select full_name, department from departments where full_name is not null
),

unique_names as (
    select name, any_value(department) as department
    from names
    group by name
)

select * from unique_names
