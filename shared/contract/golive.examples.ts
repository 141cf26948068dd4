/** One valid input per method of the go-live area (the contract tests spread these into their table). */
const approval = { managerId: 'P-0A1B2C3D4E', pin: '1234' };
const values = {
  baseUrl: 'https://api.staging.rewards.wlloyalty.net/v1',
  tokenUrl: 'https://auth.wlloyalty.net/oauth/token',
  apiKey: 'k',
  clientId: 'c',
  clientSecret: 's',
  pointsCurrencyValue: '0.01',
};

export const GOLIVE_EXAMPLES: Record<string, unknown> = {
  getGoLive: {},
  testConnection: { program: 'whitelabel', values },
  goLive: { program: 'whitelabel', values, approval },
  backToTraining: { approval },
};
