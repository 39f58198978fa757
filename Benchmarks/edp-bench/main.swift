print("edp-bench")
