// The languages live in the domain (principals and settings name them); i18n re-exports them.
export * from '../domain/locales.ts';
