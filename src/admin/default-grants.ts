/**
 * The statements of the hosted "Grant public schema access" checkbox (neon-spec.md §5.2), in its
 * words. A module of its own, with no imports, because the web console shows them before the Data
 * API is enabled (it is built from this file too), and enabling runs them.
 */
export const DEFAULT_GRANTS: readonly string[] = [
  'GRANT USAGE ON SCHEMA public TO authenticated;',
  'GRANT SELECT, UPDATE, INSERT, DELETE ON ALL TABLES IN SCHEMA public TO authenticated;',
  'ALTER DEFAULT PRIVILEGES IN SCHEMA public\nGRANT SELECT, UPDATE, INSERT, DELETE ON TABLES TO authenticated;',
  'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO authenticated;',
]
