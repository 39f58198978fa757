// The Rendering module. See README "Architecture".
