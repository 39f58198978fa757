// The Evaluation module. See README "Architecture".
