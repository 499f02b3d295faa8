// The one code Codewerf hosts today; routes carry its id in the URL so more can follow.
export const CODE_ID = "influencercode";
