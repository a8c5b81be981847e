"""Mesos offers for prun.py -m mesos: what each agent offers, where the servers and the
workers of a job go, and the resources of each task taken out of its agent's offers.

A resource is copied from the offer it comes from (name, type, role, reservations,
allocation_info) with a smaller amount, as Mesos requires of an accepted offer."""

import copy


def resource_amount(resource):
    if resource.get("type", "SCALAR") == "SCALAR":
        return resource.get("scalar", {}).get("value", 0.0)
    return 0.0


def port_ranges(resource):
    if resource.get("type") != "RANGES":
        return []
    return [(int(r["begin"]), int(r["end"])) for r in resource.get("ranges", {}).get("range", [])]


def text_attribute(offer, name):
    for attribute in offer.get("attributes", []):
        if attribute.get("name") == name and attribute.get("type") == "TEXT":
            return attribute.get("text", {}).get("value")
    return None


class AgentOffers:
    """The resources one agent offers across the offers prun holds from it."""

    def __init__(self, offer):
        self.agent_id = offer["agent_id"]["value"]
        self.hostname = offer.get("hostname", "")
        # The address the servers advertise: the agent's IP when the offer gives it.
        address = offer.get("url", {}).get("address", {})
        self.address = address.get("ip") or address.get("hostname") or self.hostname
        self.group = text_attribute(offer, "group")
        self.offer_ids = []
        self.resources = []
        self.add(offer)

    def add(self, offer):
        self.offer_ids.append(offer["id"]["value"])
        self.resources += copy.deepcopy(offer.get("resources", []))

    def scalar(self, name):
        return sum(resource_amount(r) for r in self.resources if r.get("name") == name)

    def port_count(self):
        return sum(end - begin + 1 for r in self.resources if r.get("name") == "ports"
                   for begin, end in port_ranges(r))

    def take_scalar(self, name, amount):
        """Resources of `amount` of `name` taken out of the offers (from as many entries as it
        needs: cpus may come in several roles)."""
        taken = []
        for resource in self.resources:
            if amount <= 1e-9:
                break
            if resource.get("name") != name or resource.get("type", "SCALAR") != "SCALAR":
                continue
            have = resource_amount(resource)
            part = min(have, amount)
            if part <= 1e-9:
                continue
            piece = copy.deepcopy(resource)
            piece["scalar"] = {"value": round(part, 3)}
            resource["scalar"] = {"value": round(have - part, 3)}
            taken.append(piece)
            amount -= part
        if amount > 1e-9:
            raise ValueError("agent %s has not %s more %s" % (self.hostname, amount, name))
        return taken

    def take_process(self, cpus, mem):
        """The cpus and (when asked for, in MB) the memory of a task."""
        taken = self.take_scalar("cpus", float(cpus))
        return taken + (self.take_scalar("mem", float(mem)) if mem else [])

    def take_port(self):
        """One port out of the offered ranges: (the port, its resource)."""
        for resource in self.resources:
            if resource.get("name") != "ports":
                continue
            ranges = port_ranges(resource)
            if not ranges:
                continue
            begin, end = ranges[0]
            rest = ([(begin + 1, end)] if begin < end else []) + ranges[1:]
            resource["ranges"] = {"range": [{"begin": b, "end": e} for b, e in rest]}
            piece = copy.deepcopy(resource)
            piece["ranges"] = {"range": [{"begin": begin, "end": begin}]}
            return begin, piece
        raise ValueError("agent %s offers no more ports" % self.hostname)


def group_agents(offers):
    """AgentOffers per agent id, from held offers."""
    agents = {}
    for offer in offers:
        agent_id = offer["agent_id"]["value"]
        if agent_id in agents:
            agents[agent_id].add(offer)
        else:
            agents[agent_id] = AgentOffers(offer)
    return agents


class Need:
    """What one role (servers or workers) asks for: `count` processes of `cpus` cpus and
    `mem` MB each (mem None: not asked), at most `per_node` per agent, on agents of `group`,
    one port each when `ports`."""

    def __init__(self, count, cpus, mem, per_node, group, ports):
        self.count, self.cpus, self.mem = count, cpus, mem
        self.per_node, self.group, self.ports = per_node, group, ports

    def fits(self, agent, cpus_left, mem_left, ports_left, placed):
        if self.group is not None and agent.group != self.group:
            return False
        if self.per_node and placed >= self.per_node:
            return False
        if self.mem and mem_left < self.mem - 1e-9:
            return False
        return cpus_left >= self.cpus - 1e-9 and (not self.ports or ports_left >= 1)


def plan(agents, servers, workers):
    """{agent id: (servers, workers)} placing every server and worker on the agents' offers,
    or None when they do not fit. Servers are spread over the agents with the most cpus left
    (one agent's failure takes few shards); workers are packed onto as few agents as possible
    (ranks on one node talk over shared memory)."""
    left = {a: [agent.scalar("cpus"), agent.scalar("mem"), agent.port_count()]
            for a, agent in agents.items()}
    placed = {a: [0, 0] for a in agents}
    for _ in range(servers.count if servers else 0):
        choices = [a for a, agent in agents.items()
                   if servers.fits(agent, *left[a], placed[a][0])]
        if not choices:
            return None
        best = max(choices, key=lambda a: (left[a][0] - placed[a][0], a))
        take(left[best], servers)
        placed[best][0] += 1
    remaining = workers.count if workers else 0
    for a in sorted(agents, key=lambda a: (-left[a][0], a)):
        while remaining and workers.fits(agents[a], *left[a], placed[a][1]):
            take(left[a], workers)
            placed[a][1] += 1
            remaining -= 1
    if remaining:
        return None
    return {a: tuple(p) for a, p in placed.items() if any(p)}


def take(left, need):
    left[0] -= need.cpus
    left[1] -= need.mem or 0
    left[2] -= 1 if need.ports else 0


def describe(agents, servers, workers):
    """Why the offers held do not fit the job, for the error message."""
    parts = []
    for role, need in (("servers", servers), ("workers", workers)):
        if not need:
            continue
        fitting = [a for a in agents.values() if need.group is None or a.group == need.group]
        parts.append("%d %s need %g cpus%s%s each%s%s; %d agent(s)%s offer %g cpus%s" % (
            need.count, role, need.cpus, " and %d MB" % need.mem if need.mem else "",
            " and a port" if need.ports else "",
            ", at most %d per agent" % need.per_node if need.per_node else "",
            " in group %s" % need.group if need.group is not None else "",
            len(fitting), " of the group" if need.group is not None else "",
            sum(a.scalar("cpus") for a in fitting),
            " and %d MB" % sum(a.scalar("mem") for a in fitting) if need.mem else ""))
    return "; ".join(parts)
