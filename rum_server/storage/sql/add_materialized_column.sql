ALTER TABLE ${database}.${table}${on_cluster} ADD COLUMN IF NOT EXISTS ${column}
