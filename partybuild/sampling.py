"""Weighted sampling without replacement, shared by the spot check and the inspection plan."""


def weighted_sample(items, count: int, rng) -> list:
    """The keys of `count` of `items` [(key, weight ≥ 1)], heavier ones likelier.

    Efraimidis–Spirakis: each item draws u^(1/w) and the largest keys form the
    sample, so the same `rng` seed over the same items draws the same sample.
    """
    keyed = [(rng.random() ** (1 / weight), key) for key, weight in items]
    return [key for _k, key in sorted(keyed, reverse=True)[:count]]
