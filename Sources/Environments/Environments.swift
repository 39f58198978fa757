// The Environments module. See README "Architecture".
