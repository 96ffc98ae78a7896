/*
 * Weighted random: each new connection goes to a server drawn at random, each usable server (weight above 0, not
 * overloaded) with a probability proportional to its weight. No state is kept between picks, so the director can
 * call pick from any thread without locking; the list is rebuilt on every change and published through a volatile
 * field, so a pick sees either the old or the new list, never a mix.
 */
package com.example.lvs4j.random;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.osgi.service.component.annotations.Component;

/** The {@code random} scheduler: {@code ipvsadm -A -t VIP:PORT -s random}. */
@Component(property = Scheduler.NAME + "=random")
public class RandomScheduler implements Scheduler {

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new Instance();
    }

    static final class Instance implements SchedulerInstance {

        private volatile List<RealServer> servers = List.of();

        @Override
        public void update(List<RealServer> servers, Change change) {
            this.servers = servers;
        }

        @Override
        public RealServer pick(Flow flow) {
            List<RealServer> list = servers;
            long total = 0;
            for (RealServer s : list) {
                if (s.weight() > 0 && !s.overloaded()) {
                    total += s.weight();
                }
            }
            if (total == 0) {
                return null; // no destination available: the director refuses the connection
            }
            long r = ThreadLocalRandom.current().nextLong(total);
            RealServer last = null;
            for (RealServer s : list) {
                if (s.weight() > 0 && !s.overloaded()) {
                    last = s;
                    r -= s.weight();
                    if (r < 0) {
                        return s;
                    }
                }
            }
            return last; // weights changed between the two walks: any usable server will do
        }
    }
}
