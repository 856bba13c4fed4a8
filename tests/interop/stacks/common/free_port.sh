#!/bin/bash
# free_port.sh : prints a TCP port that is free on 127.0.0.1 right now (the kernel's pick).
exec perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0, Proto => "tcp")
    or die "no free port on 127.0.0.1: $!\n";
  print $s->sockport, "\n";'
