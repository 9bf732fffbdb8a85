export * from './environment';
export * from './versions';
